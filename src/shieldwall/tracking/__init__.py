"""What each nation knows: batched EKF, covariance analysis, fusion per sharing policy, IPP."""
