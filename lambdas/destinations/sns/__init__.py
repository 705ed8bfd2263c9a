"""SNS: plain text (email, SMS) or Amazon Q Developer in chat applications JSON, on one topic."""
