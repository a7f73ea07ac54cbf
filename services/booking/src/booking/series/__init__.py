"""Weekly series: book a season at once, cancel one occurrence or the rest."""
