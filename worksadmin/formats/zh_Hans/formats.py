# Amounts in the settlement read as in a Chinese invoice: 13,017 日圓, not Django's default
# for the locale (no separator, digits grouped by four). Every other format is Django's.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
