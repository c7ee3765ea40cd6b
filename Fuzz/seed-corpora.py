#!/usr/bin/env python3
"""Builds the seed corpus of every fuzz target from the recorded fixtures and the docs.

    Fuzz/seed-corpora.py OUT_DIR      writes OUT_DIR/<target>/<name> (existing files are kept)

Seeds (the first byte or bytes of an input steer how a target feeds it; see FuzzTarget.swift):
- ami-framer, ami-session: the recorded Asterisk 22 streams (Tests/Fixtures/asterisk-22/*/ami.txt)
  and the hand-written ones, whole and cut into runs of a few events;
- sip-message: every NOTIFY recorded from Asterisk 22 and Kamailio 5.6, one per file;
- dialog-info: the dialog-info bodies of those NOTIFYs;
- ndjson: the documented event line, and one line per recorded call event shape;
- config: every ```toml block of docs/*.md, and a full configuration;
- template: the documented URL and app templates with hostile caller values;
- vcard: the address book a real Radicale 3.1 exported (Tests/Fixtures/radicale/export.vcf), whole
  and card by card, the cards inside its multiget answer, and the hand-written vCard 2.1, 3.0 and
  4.0 files of Tests/Fixtures/contacts-handwritten/;
- csv: the hand-written Google, Outlook, Thunderbird and name,number files of
  Tests/Fixtures/contacts-handwritten/;
- carddav: every multistatus answer recorded from that Radicale (Tests/Fixtures/radicale/*.xml),
  the large ones also cut after a few responses and closed again;
- json-answer: the Wildix colleague list (Tests/Fixtures/wildix/colleagues.json) and the
  documented CRM answer shape, without and with a field path before a NUL byte;
- every target: the inputs that once failed it (Tests/Fixtures/fuzz/TARGET/).
"""
import glob
import hashlib
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
out = sys.argv[1]


def write(target, data):
    directory = os.path.join(out, target)
    os.makedirs(directory, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def fixtures(pattern):
    return sorted(glob.glob(os.path.join(root, "Tests/Fixtures", pattern), recursive=True))


# Inputs that once failed a target (Tests/Fixtures/fuzz/TARGET/), so every run retries them.
for path in fixtures("fuzz/*/*"):
    write(os.path.basename(os.path.dirname(path)), open(path, "rb").read())

# AMI: whole streams (the session target logs in first when its mode byte asks), and slices.
for path in fixtures("asterisk-22/**/ami.txt") + fixtures("ami-handwritten/*.txt"):
    stream = open(path, "rb").read()
    while stream.startswith(b"#"):  # hand-written files say so in comment lines first
        stream = stream.split(b"\n", 1)[1]
    blocks = [b + b"\r\n\r\n" for b in stream.split(b"\r\n\r\n") if b.strip()]
    write("ami-framer", b"\x00" + stream)
    write("ami-framer", b"\x07" + stream)
    write("ami-session", b"\x00\x00\x05" + stream)
    for start in range(0, len(blocks), 6):
        piece = b"".join(blocks[start:start + 6])
        write("ami-framer", b"\x2a" + piece)
        write("ami-session", b"\x02\x11\x03" + piece)
        write("ami-session", b"\x03\x00\x40" + piece)

# SIP: the recorded NOTIFYs, split by their Content-Length; their bodies for dialog-info.
for path in fixtures("asterisk-22/**/dialog-*.txt") + fixtures("kamailio-5.6/**/dialog-*.txt"):
    data = open(path, "rb").read()
    while data:
        head_end = data.find(b"\r\n\r\n")
        if head_end < 0:
            break
        head = data[:head_end + 4]
        length = re.search(rb"(?im)^(?:Content-Length|l)\s*:\s*(\d+)", head)
        size = int(length.group(1)) if length else 0
        body = data[head_end + 4:head_end + 4 + size]
        write("sip-message", b"\x00" + head + body)
        write("sip-message", b"\x31" + head + body)
        if body:
            write("dialog-info", body)
        data = data[head_end + 4 + size:].lstrip(b"\r\n")

# NDJSON: the documented line and the shapes the decoder reads.
documented = open(os.path.join(root, "docs/events.md"), "rb").read()
for line in documented.splitlines():
    if line.startswith(b'{"call"'):
        write("ndjson", line)
for line in [
    b'{"call":"x","state":"ended","direction":"outgoing"}',
    b'{"call":"7","state":"answered","direction":"incoming","user_number":"305","user_name":"Bob","answered_elsewhere":true}',
    b'{"call":"1","state":"ringing","direction":"incoming","name":"Zo\\u00eb \\ud83d\\udca5 \\"q\\"","tags":["a","b"]}',
]:
    write("ndjson", line)

# Configuration: the documented examples.
for path in sorted(glob.glob(os.path.join(root, "docs/*.md"))):
    text = open(path, encoding="utf-8").read()
    for block in re.findall(r"```toml\n(.*?)```", text, re.S):
        write("config", block.encode())
        write("config", ('[user]\nnumber = "201"\n\n' + block).encode())
write("config", b"""[user]
number = "201"
name = "Alice"
country_code = "44"

[colleagues]
numbers = ["2??", "+44207946*"]

[launch]
opener = "xdg-open"
url_schemes = ["https", "x-crm"]
max_per_minute = 5

[notifications]
phases = ["ringing", "missed"]

[pbx]
source = "sip"
uri = "sip:201@pbx.example.com"
extensions = ["202"]

[[popup]]
name = "CRM"
trigger = "ringing"
url = "https://crm.example.com/search?phone={CALLERNUM:e164}&name={CALLERNAME}"

[[popup]]
name = "Log"
trigger = "answer"
app = "logger -t callpop -- {CALLERNAME} --number={CALLERNUM}"
""")

# vCard: the recorded Radicale export, whole and one card per seed, the cards of its multiget
# answer, and the hand-written exports of other programs.
export = open(os.path.join(root, "Tests/Fixtures/radicale/export.vcf"), "rb").read()
write("vcard", export)
for card in export.split(b"END:VCARD\r\n")[:40]:
    if card.strip():
        write("vcard", card + b"END:VCARD\r\n")
multiget = open(os.path.join(root, "Tests/Fixtures/radicale/multiget.xml"), "rb").read()
for card in re.findall(rb"<CR:address-data>(.*?)</CR:address-data>", multiget, re.S):
    write("vcard", card)
for path in fixtures("contacts-handwritten/*.vcf"):
    write("vcard", open(path, "rb").read())

# CSV: the hand-written exports in the shapes the reader recognises.
for path in fixtures("contacts-handwritten/*.csv"):
    write("csv", open(path, "rb").read())

# CardDAV: the recorded answers; the long listings also cut after a few responses (closed again).
for path in fixtures("radicale/*.xml"):
    data = open(path, "rb").read()
    write("carddav", data)
    responses = data.split(b"</response>")
    if len(responses) > 6:
        write("carddav", b"</response>".join(responses[:5]) + b"</response></multistatus>")

# JSON: the colleague list and the documented CRM answer; with a field path, the path, a NUL, the body.
colleagues = open(os.path.join(root, "Tests/Fixtures/wildix/colleagues.json"), "rb").read()
crm = (b'{"result":{"total":1,"records":[{"id":4711,"name":"Hans M\\u00fcller","company":{"name":"ACME"},'
       b'"url":"https://crm.example.com/c/4711","phone":4940123456,"score":1.5,"display name":"H. M."}]}}')
# The last: a number that is no integer but whose Double is one (the check compares numbers by value).
for body in [colleagues, crm, b'[{"name":"A"}]', b'["201", 202, "+44 20 7946 0000", "2XX"]',
             b'[20200000000000000.000000000000000000002, 4940123456, -0.0, 1.5e300]']:
    write("json-answer", body)
    for path in [b"result.records[0].name", b'result.records[-1]["display name"]', b"[0].name", b"result.total"]:
        write("json-answer", path + b"\0" + body)

# Templates: fields separated by NUL: URL template, app command line, then the caller's name,
# number, the called number, tags, channel, call id, the user's name.
urls = [
    "https://crm.example.com/search?phone={CALLERNUM:e164}&name={CALLERNAME}#top",
    "https://secure.solve360.com/contact/phonenumber/0{CALLERNUM:3}",
    "x-crm://contacts/find?n={CALLERNUM:national}&d={CALLEDNUM}",
    "https://desk.example.com/tickets/new?To={CALLERNAME}&Subject=Call%20from%20{USERNAME}&From=<<clid>>",
]
apps = [
    "logger -t callpop -- {CALLERNAME}",
    "chromium --app=https://crm.example.com/c?q={CALLERNAME} {CALLERNUM:e164}",
    "crm-tool --number {CALLERNUM} --name={CALLERNAME} 'url:https://crm.example.com/{TAGS}'",
]
values = [
    ["John Doe", "+442071234567"], ["-f/home/user/.ssh/id_ed25519", "--help"], ["x&admin=1#frag", "1;2"],
    ["..", "."], ["\u202egnp.exe", "+44 (0)20 7946 0000"], ["javascript:alert(1)", "file:///etc/passwd"],
]
for i, url in enumerate(urls):
    for j, app in enumerate(apps):
        name, number = values[(i + j) % len(values)]
        fields = [url, app, name, number, "5550100", "vip,sales", "PJSIP/201-00000001", "1700000000.12", "Alice"]
        write("template", bytes([i + j]) + "\0".join(fields).encode())
