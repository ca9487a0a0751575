"""Documents made from statistics: CSV and XLSX exports, the daily HTML report."""
