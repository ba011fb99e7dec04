"""The assess stage: reliability signals per report."""

from corroborate.assess.signals import assess_report

__all__ = ["assess_report"]
