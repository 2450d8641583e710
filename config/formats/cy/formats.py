"""Welsh formats: Django's cy formats (full month names, '25 Hydref 2006'), reading the same
typed dates as English (a person's language never changes what a date field accepts)."""

from config.formats.en_GB import formats as english

DATE_FORMAT = "j F Y"  # '25 Hydref 2006'
TIME_FORMAT = "P"  # '2:30 y.b.'
DATETIME_FORMAT = "j F Y, P"  # '25 Hydref 2006, 2:30 y.b.'
YEAR_MONTH_FORMAT = "F Y"  # 'Hydref 2006'
MONTH_DAY_FORMAT = "j F"  # '25 Hydref'
SHORT_DATE_FORMAT = "d/m/Y"  # '25/10/2006'
SHORT_DATETIME_FORMAT = "d/m/Y P"  # '25/10/2006 2:30 y.b.'
FIRST_DAY_OF_WEEK = 1  # 'Dydd Llun'

DATE_INPUT_FORMATS = list(english.DATE_INPUT_FORMATS)
DATETIME_INPUT_FORMATS = list(english.DATETIME_INPUT_FORMATS)
TIME_INPUT_FORMATS = list(english.TIME_INPUT_FORMATS)
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
