"""Building and publishing: plan, check, render in parallel, then write PDFs, manifest and front desk page."""
