"""The demo feed `simulator`: plausible, adding-up data for every domain of the Sóc Trăng IOC."""

from feeds.simulator.feed import SimulatorFeed, SimulatorOptions
from feeds.simulator.plan import SimulationPlan

__all__ = ["SimulationPlan", "SimulatorFeed", "SimulatorOptions"]
