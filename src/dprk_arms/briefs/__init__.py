"""Brief machinery: plan -> execute (kernel, papermill) -> convert (nbconvert, WeasyPrint) -> report."""
