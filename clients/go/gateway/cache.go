package gateway

import llmgatewayv1 "github.com/llmgateway/llmgateway/clients/go/gen/llmgateway/v1"

// Cached reports whether an answer came from the gateway's response cache: a hit, or the answer
// of an identical call that was in flight (either way no upstream call was made for it). Pass
// ChatResponse.GetCache(), StreamStart.GetCache() (or [StreamResult.Cache]) or
// EmbedResponse.GetCache(); nil (a gateway without a cache) is not cached.
func Cached(info *llmgatewayv1.CacheInfo) bool {
	switch info.GetStatus() {
	case llmgatewayv1.CacheStatus_CACHE_STATUS_HIT, llmgatewayv1.CacheStatus_CACHE_STATUS_COALESCED:
		return true
	}
	return false
}

// Cache is what the response cache did for the stream (from its start event; nil before it, or
// when the gateway has no cache). A replayed stream has the same events as a live one.
func (r *StreamResult) Cache() *llmgatewayv1.CacheInfo { return r.Start.GetCache() }
