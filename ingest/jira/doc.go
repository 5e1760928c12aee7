// Package jira is the Jira source: debriefs kept as Jira Cloud issues,
// found by JQL (a label, by default "postmortem", optionally within one
// project, or a query of the user's). It owns building the JQL and its
// incremental clause from the watermark, paging the enhanced search
// (/rest/api/3/search/jql, nextPageToken), and reading each description:
// the rendered HTML when the search gives it, else Atlassian Document
// Format, converted to plain HTML for parse.HTML. HTTP is package
// remote's; sections, metadata and timelines are package parse's.
package jira
