"""Sends N requests in batches of DEPTH and waits for each batch's answers.
    python3 pipeclient.py PORT N DEPTH [plaintext|wrk]
plaintext (the default): TechEmpower's request, four lines; wrk: what wrk
sends for compare.py (wrk.format with no script headers: the request line
and Host with the port). TARGET (default /) is wrk's request-target; an
answer is counted by MARK (default Hello, World!), for static: MARK='200 OK'."""
import os, socket, sys
port, n, depth = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
kind = sys.argv[4] if len(sys.argv) > 4 else "plaintext"
mark = os.environ.get("MARK", "Hello, World!").encode()
if kind == "wrk":
    target = os.environ.get("TARGET", "/").encode()
    req = b"GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % (target, port)
else:
    req = b"GET /plaintext HTTP/1.1\r\nHost: localhost\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n"
per_conn = (1000 // depth) * depth  # the server closes after 1000 requests
done = 0
while done < n:
    s = socket.create_connection(("127.0.0.1", port))
    k = 0
    while k < per_conn and done < n:
        s.sendall(req * depth)
        got = 0; buf = b""
        while got < depth:
            d = s.recv(1 << 20)
            if not d: raise SystemExit("eof")
            buf += d
            got = buf.count(mark)
        done += depth; k += depth
    s.close()
