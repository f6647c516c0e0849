"""Shared UI builders: KPI tiles, maps, the page shell; pure functions of their inputs."""
