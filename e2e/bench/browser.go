package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/eventsource-wasm/eventsource/e2e/internal/headless"
)

// chromium is one headless Chromium process with a fresh profile.
//
// The measuring tabs are created with Target.createTarget on the browser
// session and never attached to: chromedp enables the Network domain (and
// Page, DOM, CSS, Log, Runtime) on every tab it attaches to, and with the
// Network domain on, DevTools records every EventSource message, which makes
// native EventSource about ten times slower. Nothing is enabled in a tab that
// no client attaches to. Only the Network-domain check attaches, on purpose.
type chromium struct {
	ctx     context.Context // the chromedp context of the first tab
	cancel  func()
	profile string // the fresh --user-data-dir, removed by close
	version string // Product of Browser.getVersion, e.g. HeadlessChrome/156.0…
}

// startChromium launches the browser at execPath with the flags this machine
// needs, on a new temporary profile.
func startChromium(parent context.Context, execPath string) (*chromium, error) {
	profile, err := os.MkdirTemp("", "eventsource-bench-profile-")
	if err != nil {
		return nil, err
	}
	opts := append(headless.Options(execPath, profile),
		// Every tab has its own window and stays visible (the page checks
		// document.visibilityState), but a throttled timer or a
		// backgrounded renderer would silently skew a figure, so rule
		// them out.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
	)
	actx, acancel := chromedp.NewExecAllocator(parent, opts...)
	ctx, ccancel := chromedp.NewContext(actx)
	c := &chromium{ctx: ctx, profile: profile}
	c.cancel = func() {
		ccancel()
		acancel()
	}
	// The first Do starts the process and attaches to its initial
	// about:blank tab, which stays idle.
	if err := chromedp.Do(ctx); err != nil {
		c.close()
		return nil, fmt.Errorf("starting %s: %w", execPath, err)
	}
	v, err := cdp.Call(ctx, c.session(), browser.GetVersion, cdp.Empty{})
	if err != nil {
		c.close()
		return nil, err
	}
	c.version = v.Product
	return c, nil
}

// session is the browser-wide DevTools session.
func (c *chromium) session() cdp.Session { return chromedp.FromContext(c.ctx).Browser }

// close stops the browser and removes its profile; it may be called again.
func (c *chromium) close() {
	c.cancel()
	os.RemoveAll(c.profile)
}

// openTab opens url in a new window without attaching DevTools to it.
func (c *chromium) openTab(url string) (target.ID, error) {
	res, err := cdp.Call(c.ctx, c.session(), target.CreateTarget, target.CreateTargetParams{
		URL:       url,
		NewWindow: new(true), // its own window, so it is the visible tab
	})
	return res.TargetID, err
}

// closeTab closes a tab that openTab opened.
func (c *chromium) closeTab(id target.ID) error {
	_, err := cdp.Call(c.ctx, c.session(), target.CloseTarget, target.CloseTargetParams{TargetID: id})
	return err
}

// openAttachedTab opens url in a new tab driven by chromedp, with its default
// domains: Network on, unless disableNetwork turns it off again before the
// page loads. The returned func closes the tab.
func (c *chromium) openAttachedTab(url string, disableNetwork bool) (func(), error) {
	ctx, cancel := chromedp.NewContext(c.ctx)
	var steps []chromedp.Action[chromedp.Void]
	if disableNetwork {
		steps = append(steps, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, network.Disable, cdp.Empty{})
			return err
		}))
	}
	steps = append(steps, chromedp.Navigate(url))
	if err := chromedp.Do(ctx, steps...); err != nil {
		cancel()
		return nil, errors.Join(fmt.Errorf("opening %s with DevTools attached", url), err)
	}
	return cancel, nil
}
