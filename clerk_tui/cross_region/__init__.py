"""市域通办 in the consoles: the case list, one case worked by keys, and opening a case — one
home for what the manager console's page and a 跨域通办 window's clerk share."""
