package polyfill

// Allowance is the memory a connection's parser may hold without charging a
// [Budget]: what an ordinary stream needs, so that a healthy connection never
// fails because others used the budget up.
const Allowance = 1 << 20

// Budget bounds the memory that the parsers of several connections hold
// together, so that one stream that grows huge fails on its own instead of
// exhausting the memory the others need. Connections share it through
// [Options.Budget]; each charges what its parser holds beyond [Allowance],
// after each chunk, and fails with KindBudget when the charge would exceed
// the budget. A Budget is not safe for concurrent use: the connections that
// share one must be driven from one goroutine, or guarded by the host.
type Budget struct {
	max, used int
}

// NewBudget returns a budget of max bytes.
func NewBudget(max int) *Budget { return &Budget{max: max} }

// Used returns the bytes charged now.
func (b *Budget) Used() int { return b.used }

// Max returns the budget's size in bytes.
func (b *Budget) Max() int { return b.max }

// Buffered returns the bytes of memory the connection's parser holds between
// chunks: what it charges its [Budget] beyond [Allowance].
func (c *Conn) Buffered() int { return c.p.buffered() }

// Held returns the bytes of the body that the connection's parser holds
// between chunks: the partial line and the unfinished event's data, by
// length, where [Conn.Buffered] counts the memory of their buffers.
func (c *Conn) Held() int { return len(c.p.line) + len(c.p.data) }

// charge brings c's charge in line with what its parser holds, and reports
// false, charging nothing more, if that would exceed the budget.
func (c *Conn) charge() bool {
	b := c.opts.Budget
	over := max(c.p.buffered()-Allowance, 0)
	if over > c.charged && b.used+over-c.charged > b.max {
		return false
	}
	b.used += over - c.charged
	c.charged = over
	return true
}

// uncharge brings c's charge down to what its parser keeps after a reset or
// a release, which is never more than it held.
func (c *Conn) uncharge() {
	if b := c.opts.Budget; b != nil {
		over := min(max(c.p.buffered()-Allowance, 0), c.charged)
		b.used += over - c.charged
		c.charged = over
	}
}
