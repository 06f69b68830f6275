package main

import "context"

// runX12 is owned by the x12 CLI work (validate, ack, json, fmt).
func runX12(ctx context.Context, a *app, args []string) int {
	return subcommand(ctx, a, "x12", nil, args)
}
