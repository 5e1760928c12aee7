// Package statuspage is the statuspage source: the incidents of a public
// Atlassian Statuspage page (GET /api/v2/incidents.json), by default only
// those with a published postmortem. It owns decoding the incidents
// defensively, choosing which are debriefs, the watermark (the endpoint
// has no since parameter, so incidents are compared with it here), and
// turning an incident into a debrief: the postmortem text through package
// parse, then the name, impact, components, times and the public updates
// as its timeline. HTTP is package remote's. The authenticated manage API
// (api.statuspage.io) is not used.
package statuspage
