"""HTTP routes: the customer JSON API, the support console, the /v1 simulation API, pages."""
