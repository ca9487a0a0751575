"""HTTP and websocket routes: thin handlers around the services."""
