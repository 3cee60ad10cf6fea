package polyfill

// origin returns the serialized origin of a WHATWG-serialized URL, or ""
// for an opaque origin. The serializer has already lowercased the scheme and
// host, punycoded the host and dropped a default port, so the origin of a
// special URL is its text up to the path.
func origin(url string) string {
	scheme, rest, ok := cutScheme(url)
	if !ok {
		return ""
	}
	switch scheme {
	case "blob":
		// The origin of a blob: URL is that of the URL inside it.
		if o := origin(rest); o != "" && (o[:5] == "http:" || o[:6] == "https:") {
			return o
		}
		return ""
	case "http", "https", "ws", "wss", "ftp":
	default:
		return ""
	}
	if len(rest) < 2 || rest[:2] != "//" {
		return ""
	}
	auth := rest[2:]
	for i := 0; i < len(auth); i++ {
		if c := auth[i]; c == '/' || c == '?' || c == '#' {
			auth = auth[:i]
			break
		}
	}
	for i := len(auth) - 1; i >= 0; i-- {
		if auth[i] == '@' {
			auth = auth[i+1:] // no credentials in an origin
			break
		}
	}
	return scheme + "://" + auth
}

// cutScheme splits a URL at the colon after its scheme, lowercasing the
// scheme.
func cutScheme(url string) (scheme, rest string, ok bool) {
	for i := 0; i < len(url); i++ {
		switch c := url[i]; {
		case c == ':':
			return asciiLower(url[:i]), url[i+1:], i > 0
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return "", "", false
		}
	}
	return "", "", false
}

// fetchable reports whether a host can fetch the URL: http: and https:, and
// data: and blob:, which Chrome's EventSource opens too (SSE-20).
func fetchable(url string) bool {
	switch scheme, _, _ := cutScheme(url); scheme {
	case "http", "https", "data", "blob":
		return true
	}
	return false
}

// retryAfter parses a Retry-After header into milliseconds from now: a
// number of seconds, or an IMF-fixdate (the one form a sender may generate,
// RFC 9110 section 5.6.7); a date in the past is 0. A method, not a
// function given c.now: the method value cost 0.5 KB of wasm.
func (c *Conn) retryAfter(v string) (int, bool) {
	v = trimHTTPSpace(v)
	if v == "" {
		return 0, false
	}
	secs, digits := 0, true
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			digits = false
			break
		}
		if secs <= MaxRetry/1000 {
			secs = secs*10 + int(c-'0')
		}
	}
	if digits {
		return min(secs, MaxRetry/1000) * 1000, true
	}
	t, ok := parseIMFFixdate(v)
	if !ok {
		return 0, false
	}
	return int(min(max(t*1000-c.now(), 0), MaxRetry)), true
}

var months = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// parseIMFFixdate parses "Sun, 06 Nov 1994 08:49:37 GMT" into Unix
// seconds. The time package would do, but links time zones and a date
// parser into the wasm engine for one header (30 KB).
func parseIMFFixdate(v string) (int64, bool) {
	if len(v) != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' ||
		v[16] != ' ' || v[19] != ':' || v[22] != ':' || v[25:] != " GMT" {
		return 0, false
	}
	num := func(s string) int64 {
		n := int64(0)
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return -1
			}
			n = n*10 + int64(s[i]-'0')
		}
		return n
	}
	month := int64(-1)
	for i, m := range months {
		if v[8:11] == m {
			month = int64(i) + 1
		}
	}
	day, year, h, m, s := num(v[5:7]), num(v[12:16]), num(v[17:19]), num(v[20:22]), num(v[23:25])
	if month < 0 || day < 1 || day > 31 || year < 0 || h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 60 {
		return 0, false
	}
	return daysFromCivil(year, month, day)*86400 + h*3600 + m*60 + s, true
}

// daysFromCivil returns the days from 1970-01-01 to a proleptic Gregorian
// date (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
