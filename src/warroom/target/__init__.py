"""The practice target: a small service with the seed's surface and a switch to break it on purpose.

``faults`` is the switchboard, ``state`` the simulated service behind the endpoints, ``metrics``
its Prometheus exposition, ``app`` the Starlette edge and ``traffic`` the simulated users.
"""
