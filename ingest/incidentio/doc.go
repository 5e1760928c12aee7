// Package incidentio is the incident.io source: post-mortem documents
// listed by the API (GET /v1/postmortem_documents, paged by
// pagination_meta.after) and their Markdown content (GET
// /v1/postmortem_documents/{id}/content), read by parse.Markdown. It owns
// the listing, the hash that lets an unchanged document cost nothing, the
// content fetch for new and changed documents, and filling the title,
// incident reference, times and URL from the list. HTTP is package
// remote's.
package incidentio
