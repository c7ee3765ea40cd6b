"""A popup client written the way a Python shop would: PyPI `panoramisk` (asyncio) for AMI,
the call mapping and decisions of callpop for Benchmarks/ami-bench/bench.toml in plain Python,
one JSON line per decision on stdout. The Python side of the AMI benchmark (scripts/bench.sh
runs it from a virtual environment it creates); decide.c is the same logic in C.

    python panoramisk_popup.py PORT USERNAME SECRET EXTENSION
"""
import asyncio
import json
import sys
from urllib.parse import quote

from panoramisk import Manager

WANTED = ["Newchannel", "DialBegin", "DialState", "DialEnd", "Newstate", "NewConnectedLine", "BridgeEnter", "Rename", "Hangup"]
RULES = [  # name, id, trigger, direction (None: any)
    ("CRM", "crm", "ringing", "incoming"),
    ("Dial", "dial", "call-generation", "outgoing"),
    ("Answered", "answered", "answer", None),
]
STATES = {None: 0, "ringing": 1, "answered": 2}


def clean(value):
    """callpop's AMIText.clean: `<unknown>` and absent are empty, control characters go."""
    if not value or value == "<unknown>":
        return ""
    return "".join(c for c in value if c >= " " and c != "\x7f")


def e164(number):
    """callpop's NumberPlan.e164 for country code 44, national prefix 0, international prefix 00."""
    stripped = number.lstrip(" ")
    if stripped.startswith("+"):
        return "+" + "".join(c for c in number.replace("(0)", "") if c.isdigit())
    digits = "".join(c for c in number if "0" <= c <= "9")
    if digits.startswith("00") and len(digits) > 6:
        return "+" + digits[2:]
    if digits.startswith("0") and len(digits) > 5:
        return "+44" + digits[1:]
    return digits


def encode(value):
    return quote(value, safe="-._~")


class Popups:
    def __init__(self, extension):
        self.extension = extension
        self.prefixes = [f"{tech}/{extension}-" for tech in ("pjsip", "sip", "iax2")]
        self.local_prefix = f"local/{extension}@"
        self.channels = {}  # Uniqueid -> dict
        self.origins = {}   # Linkedid -> exten
        self.calls = {}     # call id -> dict

    # ---- devices ----
    def is_user_channel(self, channel):
        lower = channel.lower()
        for prefix in self.prefixes:
            if lower.startswith(prefix):
                rest = lower[len(prefix):]
                return bool(rest) and all(c in "0123456789abcdef" for c in rest)
        return lower.startswith(self.local_prefix) and lower.endswith(";1")

    @staticmethod
    def is_local(channel):
        return channel.lower().startswith("local/")

    @staticmethod
    def colleague_by_channel(channel, number):
        if "/" not in channel or Popups.is_local(channel):
            return None
        endpoint = channel.split("/", 1)[1]
        if "-" in endpoint:
            endpoint = endpoint[: endpoint.rindex("-")]
        return True if number and endpoint == number else None

    def colleague_by_policy(self, remote):
        stripped = "".join(c for c in remote if c not in " -.()\t")
        user = "".join(c for c in self.extension if c not in " -.()\t")
        return bool(remote) and stripped.isdigit() and stripped.isascii() and len(stripped) == len(user)

    # ---- channels ----
    def track(self, uniqueid, name, linkedid):
        channel = self.channels.get(uniqueid)
        if channel is None:
            if len(self.channels) >= 32:
                del self.channels[next(iter(self.channels))]
            channel = dict(name=name, linkedid=linkedid, direction=None, remote="", remote_name="", called="",
                           colleague=None, emitted=None)
            self.channels[uniqueid] = channel
        return channel

    @staticmethod
    def update_connected_line(channel, event):
        number = clean(event.get("ConnectedLineNum"))
        if number:
            channel["remote"] = number
        name = clean(event.get("ConnectedLineName"))
        if name:
            channel["remote_name"] = name

    def advance(self, uniqueid, state):
        channel = self.channels.get(uniqueid)
        if channel is None or channel["direction"] is None:
            return
        if channel["emitted"] is None and state == "answered":
            self.call_event(channel, "ringing")
            channel["emitted"] = "ringing"
        if STATES[state] > STATES[channel["emitted"]]:
            channel["emitted"] = state
            self.call_event(channel, state)

    # ---- events ----
    def on_event(self, manager, event):
        getattr(self, "on_" + event["Event"].lower())(event)

    def on_newchannel(self, event):
        uniqueid, linkedid = event.get("Uniqueid"), event.get("Linkedid")
        if uniqueid is None or linkedid is None:
            return
        exten = clean(event.get("Exten"))
        if uniqueid == linkedid and exten:
            self.origins[linkedid] = exten
        channel = event.get("Channel")
        if channel is not None and self.is_user_channel(channel):
            self.track(uniqueid, channel, linkedid)

    def on_dialbegin(self, event):
        caller = event.get("Channel", "")
        exten = clean(event.get("Exten"))
        linkedid = event.get("Linkedid")
        if linkedid is not None and linkedid not in self.origins and not self.is_local(caller) and exten:
            self.origins[linkedid] = exten
        dest = event.get("DestChannel")
        uniqueid = event.get("DestUniqueid")
        dest_linkedid = event.get("DestLinkedid", linkedid)
        if dest is not None and self.is_user_channel(dest) and uniqueid is not None and dest_linkedid is not None:
            if self.is_local(caller) and caller.endswith(";2"):
                leg = caller[:-1] + "1"
                for key, tracked in list(self.channels.items()):
                    if tracked["name"] == leg and tracked["emitted"] is None:
                        del self.channels[key]
            channel = self.track(uniqueid, dest, dest_linkedid)
            if channel["direction"] is None:
                number = clean(event.get("CallerIDNum"))
                channel["direction"] = "incoming"
                channel["remote"] = clean(event.get("DestConnectedLineNum")) or number
                channel["remote_name"] = clean(event.get("DestConnectedLineName")) or clean(event.get("CallerIDName"))
                channel["called"] = self.origins.get(dest_linkedid, exten)
                channel["colleague"] = self.colleague_by_channel(caller, number)
            if event.get("DestChannelStateDesc", "").lower() == "ringing":
                self.advance(uniqueid, "ringing")
            return
        uniqueid = event.get("Uniqueid")
        if self.is_user_channel(caller) and not self.is_local(caller) and uniqueid is not None and linkedid is not None:
            channel = self.track(uniqueid, caller, linkedid)
            if channel["direction"] is None:
                number = clean(event.get("DestCallerIDNum"))
                channel["direction"] = "outgoing"
                channel["called"] = exten
                channel["remote"] = number or exten
                channel["remote_name"] = clean(event.get("DestCallerIDName"))
                channel["colleague"] = self.colleague_by_channel(event.get("DestChannel", ""), number)
            self.advance(uniqueid, "ringing")

    def on_dialstate(self, event):
        dest = event.get("DestChannel")
        if event.get("DialStatus", "").upper() == "RINGING" and dest is not None and self.is_user_channel(dest):
            uniqueid = event.get("DestUniqueid")
            if uniqueid is not None:
                self.advance(uniqueid, "ringing")

    def on_dialend(self, event):
        if event.get("DialStatus", "").upper() != "ANSWER":
            return
        dest, caller = event.get("DestChannel"), event.get("Channel")
        if dest is not None and self.is_user_channel(dest) and event.get("DestUniqueid") is not None:
            self.advance(event["DestUniqueid"], "answered")
        elif caller is not None and self.is_user_channel(caller) and event.get("Uniqueid") is not None:
            self.advance(event["Uniqueid"], "answered")

    def on_newstate(self, event):
        channel = self.channels.get(event.get("Uniqueid"))
        if channel is None:
            return
        self.update_connected_line(channel, event)
        if channel["direction"] != "incoming":
            return
        state = event.get("ChannelStateDesc", "").lower()
        if state == "ringing":
            self.advance(event["Uniqueid"], "ringing")
        elif state == "up":
            self.advance(event["Uniqueid"], "answered")

    def on_newconnectedline(self, event):
        channel = self.channels.get(event.get("Uniqueid"))
        if channel is not None:
            self.update_connected_line(channel, event)

    def on_bridgeenter(self, event):
        channel = self.channels.get(event.get("Uniqueid"))
        if channel is not None:
            self.update_connected_line(channel, event)
            self.advance(event["Uniqueid"], "answered")

    def on_rename(self, event):
        channel = self.channels.get(event.get("Uniqueid"))
        if channel is not None and "Newname" in event:
            channel["name"] = clean(event["Newname"])

    def on_hangup(self, event):
        uniqueid = event.get("Uniqueid")
        if uniqueid is None:
            return
        if uniqueid == event.get("Linkedid"):
            self.origins.pop(uniqueid, None)
        channel = self.channels.pop(uniqueid, None)
        if channel is not None and channel["emitted"] is not None:
            self.update_connected_line(channel, event)
            self.call_event(channel, "ended")

    # ---- decisions ----
    def call_event(self, channel, state):
        call_id = channel["linkedid"]
        call = self.calls.get(call_id)
        prior = None
        if call is None:
            if state == "ended":
                return
            colleague = channel["colleague"]
            call = dict(id=call_id, direction=channel["direction"], state=None, answered=False,
                        colleague=colleague if colleague is not None else self.colleague_by_policy(channel["remote"]),
                        remote="", remote_name="", called="")
            self.calls[call_id] = call
            if len(self.calls) > 32:
                del self.calls[next(iter(self.calls))]
        else:
            prior = call["state"]
        for key in ("remote", "remote_name", "called"):
            if channel[key]:
                call[key] = channel[key]
        if channel["colleague"] is not None:
            call["colleague"] = channel["colleague"]
        if state == "ended":
            del self.calls[call_id]
            return
        trigger = None
        if state == "ringing" and not call["answered"] and prior != "ringing":
            trigger = "ringing" if call["direction"] == "incoming" else "call-generation"
        if state == "answered" and prior != "answered":
            call["answered"] = True
            trigger = "answer"
        call["state"] = "answered" if call["answered"] else state
        if trigger is None:
            return
        for name, rule_id, rule_trigger, direction in RULES:
            if rule_trigger != trigger:
                continue
            decision = dict(call=call_id, rule=name, rule_id=rule_id, trigger=trigger, direction=call["direction"])
            if direction is not None and direction != call["direction"]:
                decision.update(decision="skip", reason="direction", action="url")
            elif call["colleague"]:
                decision.update(decision="skip", reason="colleague", action="url")
            else:
                decision.update(decision="launch", action="url", url=self.url(rule_id, call))
            decision.update(number=call["remote"], name=call["remote_name"])
            sys.stdout.write(json.dumps(decision, separators=(",", ":"), ensure_ascii=False) + "\n")
            sys.stdout.flush()

    @staticmethod
    def url(rule_id, call):
        number = encode(e164(call["remote"]))
        if rule_id == "crm":
            text = (f"https://crm.example.com/contacts?phone={number}&name={encode(call['remote_name'])}"
                    f"&did={encode(call['called'])}")
        elif rule_id == "dial":
            text = f"https://crm.example.com/dial?phone={number}"
        else:
            text = f"https://crm.example.com/answered?phone={number}&name={encode(call['remote_name'])}"
        return text + "&call=" + encode(call["id"])


def main():
    port, username, secret, extension = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    manager = Manager(loop=loop, host="127.0.0.1", port=int(port), username=username, secret=secret,
                      ping_delay=20, ping_interval=20)
    popups = Popups(extension)
    for name in WANTED:
        manager.register_event(name, popups.on_event)
    manager.connect()
    loop.run_forever()


if __name__ == "__main__":
    main()
