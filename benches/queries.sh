# The count queries of benches/run.sh, with the same names, for the scripts that measure
# them again on its kept databases (probe_reads.sh, instructions.sh). Sourced.
# shellcheck disable=SC2034
declare -A Q=(
    [floor]='{ me { username } }'
    [progress]='{ programmeProgress { targets { track certified inTraining ratio projectedReachDate reachedOn } } }'
    [stats]='{ stats(groupBy: [DISTRICT, MONTH]) { district month trainees enrolments completions certifiedPersons } }'
    [range]='{ stats(groupBy: [DISTRICT, MONTH], filter: {from: "2024-03-15", to: "2024-09-10"}) { district month trainees enrolments completions certifiedPersons } }'
    [asof]='{ programmeProgress(asOf: "2024-09-10") { asOf certifiedPersons certifiedOnBothTracks targets { track certified inTraining ratio projectedReachDate reachedOn } goals { kind achieved ratio projectedReachDate reachedOn requiredPerMonth onTrack } } }'
)
