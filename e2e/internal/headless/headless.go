// Package headless holds the Chromium launch options shared by the browser
// suite (package e2e's tests) and the benchmark (e2e/bench), so that the
// benchmark needs nothing from the test package.
package headless

import "github.com/chromedp/chromedp"

// Options returns the options that launch headless Chromium on this
// project's machines: the binary at execPath, the flags it needs here (no
// sandbox as root, no GPU, no QUIC, and no background traffic, which the
// machines' closed network would refuse) and the fresh profile directory.
// Callers add their own flags after these.
func Options(execPath, profile string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	}
}
