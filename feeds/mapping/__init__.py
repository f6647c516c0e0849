"""One mapping language for every connector: parse values, dates and areas, skip non-data rows,
and turn source records into observations and rejections."""
