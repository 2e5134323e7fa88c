"""Role-play: solo practice against scripted customers and facilitated pair workshops."""
