// The farm command line: replaced by the full System.CommandLine tool.
return 0;
