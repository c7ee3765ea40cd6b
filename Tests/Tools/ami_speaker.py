"""What the test Asterisks (ami_flood.py, ami_replay.py) say to a client: the banner, and the
answers to the actions callpop sends (Challenge, Login, CoreShowChannels, Ping, Logoff), as
Asterisk 22 words them. The MD5 challenge is always 1234567890."""
import hashlib

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
CHALLENGE = "1234567890"


def fields_of(block):
    """The Key: Value fields of one message, keys as written."""
    fields = []
    for line in block.split("\r\n"):
        if ":" in line:
            key, value = line.split(":", 1)
            fields.append((key, value[1:] if value.startswith(" ") else value))
    return fields


def actions(conn):
    """Yields (action, fields) for each action the client sends until it closes; action and
    field names lower-cased."""
    buffer = b""
    while True:
        try:
            chunk = conn.recv(65536)
        except OSError:
            return
        if not chunk:
            return
        buffer += chunk
        while b"\r\n\r\n" in buffer:
            message, buffer = buffer.split(b"\r\n\r\n", 1)
            fields = {k.strip().lower(): v.strip() for k, v in fields_of(message.decode(errors="replace"))}
            yield fields.get("action", "").lower(), fields


def answer(action, fields, secret, channels=""):
    """The reply to one action, or None; `channels` are the CoreShowChannel events to list."""
    action_id = fields.get("actionid", "")
    head = "Response: Success\r\nActionID: %s\r\n" % action_id
    if action == "challenge":
        return head + "Challenge: %s\r\n\r\n" % CHALLENGE
    if action == "login":
        key = hashlib.md5((CHALLENGE + secret).encode()).hexdigest()
        if fields.get("key") == key or fields.get("secret") == secret:
            return head + "Message: Authentication accepted\r\n\r\n"
        return "Response: Error\r\nActionID: %s\r\nMessage: Authentication failed\r\n\r\n" % action_id
    if action == "coreshowchannels":
        count = channels.count("Event: CoreShowChannel\r\n")
        return (head + "EventList: start\r\nMessage: Channels will follow\r\n\r\n" + channels
                + "Event: CoreShowChannelsComplete\r\nActionID: %s\r\nEventList: Complete\r\nListItems: %d\r\n\r\n"
                % (action_id, count))
    if action == "ping":
        return head + "Ping: Pong\r\nTimestamp: 1700000000.000000\r\n\r\n"
    if action == "logoff":
        return "Response: Goodbye\r\nActionID: %s\r\nMessage: Thanks for all the fish.\r\n\r\n" % action_id
    return None
