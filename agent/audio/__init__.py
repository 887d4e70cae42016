"""The audio path: the phone line (G.711 μ-law at 8 kHz, levels, noise), the local speech
stack (TTS voices, Silero VAD endpointing, Whisper STT, number normalisation) and the
prompt audio of simulated and recorded IVRs."""
