"""HLS playlists rewritten for the relay: every address points back at the app, within the
camera's origin; anything else refuses the playlist."""

from __future__ import annotations

import pytest

from media.hls import rewrite_playlist, upstream_url
from media.mjpeg import StreamRefused

CAMERA = "http://10.20.1.5:8080/live/cam1/index.m3u8"
RELAY = "/camera/CAM-1/hls"


def _rewrite(text: str, playlist: str = CAMERA) -> list[str]:
    return rewrite_playlist(text, playlist, CAMERA, RELAY, "941").splitlines()


def test_media_playlist_segments_point_at_the_relay_with_the_area() -> None:
    lines = _rewrite(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n\n#EXTINF:2.0,\nseg0.ts\n#EXTINF:2.0,\n/abs/seg1.ts\r\n"
    )
    assert lines == [
        "#EXTM3U",
        "#EXT-X-TARGETDURATION:2",
        "#EXTINF:2.0,",
        "/camera/CAM-1/hls/live/cam1/seg0.ts?area=941",
        "#EXTINF:2.0,",
        "/camera/CAM-1/hls/abs/seg1.ts?area=941",
    ]


def test_query_strings_travel_as_q_and_uri_attributes_are_rewritten() -> None:
    lines = _rewrite(
        '#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI="key.bin?t=1&u=2",IV=0x1\n'
        '#EXT-X-MAP:URI="init.mp4"\n#EXTINF:1,\nhttp://10.20.1.5:8080/live/s.m4s?token=a%20b\n'
    )
    assert lines[1] == (
        '#EXT-X-KEY:METHOD=AES-128,URI="/camera/CAM-1/hls/live/cam1/key.bin?area=941'
        '&q=t%3D1%26u%3D2",IV=0x1'
    )
    assert lines[2] == '#EXT-X-MAP:URI="/camera/CAM-1/hls/live/cam1/init.mp4?area=941"'
    assert lines[4] == "/camera/CAM-1/hls/live/s.m4s?area=941&q=token%3Da%2520b"


def test_a_master_playlist_variant_resolves_against_the_variant_it_came_from() -> None:
    variant = "http://10.20.1.5:8080/live/cam1/hd/index.m3u8"
    lines = _rewrite("#EXTM3U\n#EXTINF:1,\nchunk.ts\n", playlist=variant)
    assert lines[-1] == "/camera/CAM-1/hls/live/cam1/hd/chunk.ts?area=941"


@pytest.mark.parametrize(
    "address",
    [
        "http://evil.example/seg.ts",
        "http://10.20.1.5:8081/seg.ts",  # another port is another server
        "https://10.20.1.5:8080/seg.ts",  # another scheme too
        "//10.20.1.6/seg.ts",
        "file:///etc/passwd",
        "data:video/mp2t;base64,AAAA",
    ],
)
def test_an_address_outside_the_camera_refuses_the_whole_playlist(address: str) -> None:
    with pytest.raises(StreamRefused, match="outside the camera"):
        _rewrite(f"#EXTM3U\n#EXTINF:1,\nseg0.ts\n#EXTINF:1,\n{address}\n")
    with pytest.raises(StreamRefused):
        _rewrite(f'#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI="{address}"\n')


def test_upstream_url_is_the_playlist_or_a_path_on_its_origin_with_credentials_kept() -> None:
    camera = "http://viewer:s3cret@10.20.1.5:8080/live/index.m3u8"
    assert upstream_url(camera, "", "") == camera
    assert (
        upstream_url(camera, "live/seg0.ts", "")
        == "http://viewer:s3cret@10.20.1.5:8080/live/seg0.ts"
    )
    assert upstream_url(camera, "k.bin", "t=1") == "http://viewer:s3cret@10.20.1.5:8080/k.bin?t=1"
