// Package confluence is the Confluence source: debriefs kept as wiki pages,
// found by CQL (a label, by default "postmortem", optionally within one
// space, or a query of the user's). It owns building the CQL and its
// incremental clause from the watermark, following the search's next
// links, fetching each changed page's storage body (v2 pages API on Cloud,
// v1 content API on Data Center), and converting storage XHTML (ac: macros,
// ri: links, CDATA, XHTML entities) into plain HTML for parse.HTML. HTTP
// is package remote's; sections, metadata and timelines are package
// parse's.
package confluence
