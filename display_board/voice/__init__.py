"""The voice announcer: phrases, speech rendering, WAV assembly and playback."""
