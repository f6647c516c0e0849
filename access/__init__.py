"""Access: who may sign in, what each role may do and see, display tokens, and the audit trail."""
