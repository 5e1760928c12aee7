// Package remote is the HTTP client every HTTP source (github, statuspage,
// confluence, jira, incidentio, ...) fetches through. It owns what they
// must all get right the same way: resolving paths and next-page links
// against one base URL (and refusing links to another host), a timeout per
// attempt, retries on 429, 5xx and transport errors with backoff that
// honours Retry-After, a cap on the bytes read of a body, errors that name
// the method, path and status but never the query string or a credential,
// RFC 8288 Link headers, and reading secrets from NAME or NAME_FILE.
// It knows nothing of any one API.
package remote
