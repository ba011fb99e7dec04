"""The assess stage: reliability signals per report (``assess_report``, imported on first use,
so that importing ``corroborate.assess.sources`` does not import spaCy)."""

__all__ = ["assess_report"]


def __getattr__(name: str):
    if name == "assess_report":
        from corroborate.assess.signals import assess_report

        return assess_report
    raise AttributeError(name)
