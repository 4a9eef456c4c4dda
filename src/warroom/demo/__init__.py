"""`warroom demo`: warroom and the practice target together on loopback, ready to break."""
