# Dates read in full: "13 November 2022".
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H.i"
SHORT_DATE_FORMAT = "d/m/Y"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
