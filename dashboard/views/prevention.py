"""Prevention: trends by month, splits by agency, crime type and enhanced rights."""

from dashboard import theme

theme.render(
    "prevention", "Prevention",
    "Whether people feel safer, homes made safer by target hardening, repeat victimisation "
    "and the modelled crime avoided. Prevention is credited only where a prevention action "
    "(target hardening) is recorded: support alone is not assumed to prevent repeat "
    "victimisation.",
)
