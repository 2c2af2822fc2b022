//! Shared fixtures of the parser bench and the profiling example.

/// What `curl http://127.0.0.1:8080/index.html` sends.
pub const CURL_GET: &[u8] = b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";

/// A Chromium subresource request: ~700 bytes, a dozen fields.
pub const BROWSER_GET: &[u8] = b"GET /static/js/app.bundle.js?v=20261127 HTTP/1.1\r\n\
Host: localhost:8080\r\n\
Connection: keep-alive\r\n\
sec-ch-ua: \"Chromium\";v=\"156\", \"Not(A:Brand\";v=\"24\"\r\n\
sec-ch-ua-mobile: ?0\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36\r\n\
sec-ch-ua-platform: \"Linux\"\r\n\
Accept: */*\r\n\
Sec-Fetch-Site: same-origin\r\n\
Sec-Fetch-Mode: no-cors\r\n\
Sec-Fetch-Dest: script\r\n\
Referer: http://localhost:8080/dashboard/overview?tab=metrics\r\n\
Accept-Encoding: gzip, deflate, br, zstd\r\n\
Accept-Language: en-US,en;q=0.9,fr;q=0.8\r\n\
Cookie: session=3f9a1c2e7b4d4e8f9a0b1c2d3e4f5a6b; theme=dark; consent=1\r\n\r\n";

/// A typical nginx response head.
pub const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\n\
Server: nginx/1.22.1\r\n\
Date: Fri, 27 Nov 2026 04:00:00 GMT\r\n\
Content-Type: text/html\r\n\
Content-Length: 1024\r\n\
Last-Modified: Thu, 26 Nov 2026 12:00:00 GMT\r\n\
Connection: keep-alive\r\n\
ETag: \"6767a1b0-400\"\r\n\
Accept-Ranges: bytes\r\n\r\n";
