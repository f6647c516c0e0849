"""Names of catalog things (metrics, domains, dimension members) in a language, by i18n key."""

from __future__ import annotations

from typing import Protocol

from i18n import label, t


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


def _key(item: _Keyed | str) -> str:
    return item if isinstance(item, str) else item.key


def metric_name(metric: _Keyed | str, lang: str) -> str:
    """A metric's name (`metric.<key>.name`), given the metric or its key."""
    return t(f"metric.{_key(metric)}.name", lang)


def metric_unit(metric: _Keyed | str, lang: str) -> str:
    """A metric's unit (`metric.<key>.unit`); "" for a dimensionless index such as VN_AQI."""
    return t(f"metric.{_key(metric)}.unit", lang)


def domain_name(domain: _Keyed | str, lang: str) -> str:
    """A domain's name (`domain.<key>.name`), given the domain or its key."""
    return t(f"domain.{_key(domain)}.name", lang)


def domain_system(domain: _Keyed | str, lang: str) -> str:
    """The name of the domain's source system (`domain.<key>.system`), the page's subtitle."""
    return t(f"domain.{_key(domain)}.system", lang)


def member_name(dimension: str, member: str, lang: str) -> str:
    """A declared dimension member's name (`dim.<dimension>.<member>`); an undeclared member
    (an asset's code) is returned as it is."""
    return label(f"dim.{dimension}", member, lang)
