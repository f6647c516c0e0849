"""Automatic monitoring stations' text files (Circular 10/2021/TT-BTNMT) from a drop folder."""

from feeds.station_files.feed import StationFilesFeed

__all__ = ["StationFilesFeed"]
