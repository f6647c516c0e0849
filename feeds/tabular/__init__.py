"""Readers that turn CSV and xlsx reports (from a path, a drop folder or a URL) into tables."""

from feeds.tabular.csv_reader import DEFAULT_FALLBACKS, Decoded, decode, read_csv, sniff_delimiter
from feeds.tabular.download import DEFAULT_MAX_BYTES, Downloaded, download
from feeds.tabular.drop_folder import DropFolder, DroppedFile, Scan
from feeds.tabular.grid import Cell, Grid, Merge
from feeds.tabular.headers import DataRow, DocumentCell, Table, build_table
from feeds.tabular.read import TabularOptions, read_tables
from feeds.tabular.xlsx_reader import Workbook, read_xlsx

__all__ = [
    "DEFAULT_FALLBACKS",
    "DEFAULT_MAX_BYTES",
    "Cell",
    "DataRow",
    "Decoded",
    "DocumentCell",
    "Downloaded",
    "DropFolder",
    "DroppedFile",
    "Grid",
    "Merge",
    "Scan",
    "Table",
    "TabularOptions",
    "Workbook",
    "build_table",
    "decode",
    "download",
    "read_csv",
    "read_tables",
    "read_xlsx",
    "sniff_delimiter",
]
