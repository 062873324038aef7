"""What each security step asks for, and the NCSC's incident categories with their guidance."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from watchkeeper.domain.workflow import SecurityStep

SECTION_PARTS: Mapping[SecurityStep, Mapping[str, str]] = MappingProxyType(
    {
        SecurityStep.CONTAIN: {
            "short_term": "Short-term containment",
            "long_term": "Long-term containment",
            "forensic_clone": "Forensic clone (record commands, image locations and hashes in the evidence log)",
        },
        SecurityStep.ERADICATE: {
            "affected_hosts": "Affected hosts",
            "artefacts_removed": "Artefacts removed",
            "reimaged_or_patched": "Systems reimaged or patched",
            "backups_checked": "Backups checked",
        },
        SecurityStep.RECOVER: {
            "hardening_confirmed": "Hardening confirmed",
            "restore_time": "Restore time decided",
            "monitoring_period": "Monitoring period",
        },
    }
)

# The NCSC's cyber incident categorisation: 1 is the most severe.
NCSC_CATEGORIES: Mapping[int, tuple[str, str]] = MappingProxyType(
    {
        1: (
            "National cyber emergency",
            "Sustained disruption of UK essential services or national security, with severe economic or social "
            "consequences or loss of life.",
        ),
        2: (
            "Highly significant incident",
            "Serious impact on central government, UK essential services, a large proportion of the UK population "
            "or the UK economy.",
        ),
        3: (
            "Significant incident",
            "Serious impact on a large organisation or on wider or local government, or a considerable risk to "
            "central government or UK essential services.",
        ),
        4: (
            "Substantial incident",
            "Serious impact on a medium-sized organisation, or a considerable risk to a large organisation or wider "
            "or local government.",
        ),
        5: (
            "Moderate incident",
            "An attack on a small organisation, a considerable risk to a medium-sized organisation, or early signs "
            "of cyber activity against a large organisation or government.",
        ),
        6: (
            "Localised incident",
            "An attack on an individual, or early signs of cyber activity against a small or medium-sized "
            "organisation.",
        ),
    }
)


def must_tell_ncsc(category: int) -> bool:
    """GDS practice: the NCSC is told of category 1 to 3 incidents, so those need a recorded decision."""
    return category <= 3
