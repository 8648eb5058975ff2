"""heateval: the yearly evaluation of Chifeng's central-heating enterprises."""
