"""Local stand-ins for the outside systems notifications talk to, speaking their real protocols on 127.0.0.1."""
