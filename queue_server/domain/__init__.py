"""The pure domain core: ticket states, numbering, dispatch and wait estimates. No I/O."""
