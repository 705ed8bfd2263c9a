"""What a person reads: one channel-independent alert content, one renderer per destination.

Pure presentation: contract events in, message payloads out. No SDK, no environment.
"""
