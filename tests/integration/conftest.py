import socket


def free_port():
    """A port nothing listens on now, for servers the tests start."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_addresses(port):
    """The IPv4 addresses a TCP port is listening on, from /proc/net/tcp (Linux)."""
    addresses = set()
    with open("/proc/net/tcp", encoding="ascii") as table:
        next(table)
        for line in table:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                octets = [str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)]
                addresses.add(".".join(octets))
    return addresses
