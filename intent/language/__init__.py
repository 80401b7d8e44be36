"""Language data of the parser: the asset universe and the common-word list."""
