from tracker_sandbox.cli import main

raise SystemExit(main())
