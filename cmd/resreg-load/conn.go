package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// conn is one keep-alive HTTP/1.1 connection that sends a request and
// reads its response, reusing its buffers. It reads what resreg serve
// writes: a status line, headers and a Content-Length body; a chunked
// response is refused rather than misread.
type conn struct {
	addr     string
	nc       net.Conn
	br       *bufio.Reader
	deadline time.Time
	body     []byte
}

const ioTimeout = 10 * time.Second

var errChunked = errors.New("chunked response: not read by resreg-load")

// do writes req and returns the status and body of the response, valid
// until the next call. end bounds the time spent; after an error the
// connection is closed and the next call dials again.
func (c *conn) do(req []byte, end time.Time) (int, []byte, error) {
	status, body, err := c.roundTrip(req, end)
	if err != nil {
		c.close()
	}
	return status, body, err
}

func (c *conn) roundTrip(req []byte, end time.Time) (int, []byte, error) {
	now := time.Now()
	if c.nc == nil {
		nc, err := net.DialTimeout("tcp", c.addr, ioTimeout)
		if err != nil {
			return 0, nil, err
		}
		c.nc, c.deadline = nc, time.Time{}
		if c.br == nil {
			c.br = bufio.NewReaderSize(nc, 16<<10)
		} else {
			c.br.Reset(nc)
		}
	}
	// Moving the deadline costs a timer update: it is set twice the
	// timeout ahead and moved only when less than the timeout is left, so
	// every request has between one and two timeouts.
	if c.deadline.Sub(now) < ioTimeout || c.deadline.After(end) {
		c.deadline = now.Add(2 * ioTimeout)
		if c.deadline.After(end) {
			c.deadline = end
		}
		if err := c.nc.SetDeadline(c.deadline); err != nil {
			return 0, nil, err
		}
	}
	if _, err := c.nc.Write(req); err != nil {
		return 0, nil, err
	}
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return 0, nil, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, nil, fmt.Errorf("malformed status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, fmt.Errorf("malformed status line %q", line)
	}
	length, closing := -1, false
	for {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return 0, nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, nil, fmt.Errorf("malformed header %q", line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 || length > 1<<20 {
				return 0, nil, fmt.Errorf("bad content-length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return 0, nil, errChunked
		case bytes.EqualFold(name, []byte("Connection")):
			closing = bytes.EqualFold(value, []byte("close"))
		}
	}
	if length < 0 {
		return 0, nil, errors.New("response without content-length")
	}
	if cap(c.body) < length {
		c.body = make([]byte, length)
	}
	c.body = c.body[:length]
	if _, err := io.ReadFull(c.br, c.body); err != nil {
		return 0, nil, err
	}
	if closing {
		c.close()
	}
	return status, c.body, nil
}

func (c *conn) close() {
	if c.nc != nil {
		_ = c.nc.Close()
		c.nc = nil
	}
}
