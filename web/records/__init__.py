"""The web's side of the records (execution.records): what needs the app's services or
templates, shared by the routes and the CLI."""
